-- Question: How many days after signing up do customers place their first order?
-- Description: Average and longest wait from sign-up to first order per segment, for customers who signed up from 2023 on (order history starts 2023-01-01).
WITH first_orders AS (
    SELECT customer_id, MIN(order_date) AS first_order_date
    FROM orders
    GROUP BY customer_id
)
SELECT c.segment,
       COUNT(*) AS customers,
       ROUND(AVG(julianday(f.first_order_date) - julianday(c.signup_date)), 1) AS avg_days_to_first_order,
       CAST(MAX(julianday(f.first_order_date) - julianday(c.signup_date)) AS INTEGER) AS max_days_to_first_order
FROM customers AS c
JOIN first_orders AS f ON f.customer_id = c.customer_id
WHERE c.signup_date >= '2023-01-01'
GROUP BY c.segment
ORDER BY avg_days_to_first_order;
