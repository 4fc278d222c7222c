-- Question: How many customers placed their first order in each month?
-- Description: First-time buyers per month, dated by each customer's earliest order that counts for revenue.
WITH first_orders AS (
    SELECT customer_id, MIN(order_date) AS first_order_date
    FROM orders
    WHERE status NOT IN ('cancelled', 'returned')
    GROUP BY customer_id
)
SELECT strftime('%Y-%m', first_order_date) AS month,
       COUNT(*) AS first_time_buyers
FROM first_orders
GROUP BY month
ORDER BY month;
