-- Question: What are the 10 best-selling products by units sold?
-- Description: Units sold per product over all time; cancelled and returned orders do not count.
SELECT p.product_id,
       p.name,
       p.category,
       SUM(oi.quantity) AS units_sold
FROM order_items AS oi
JOIN orders AS o ON o.order_id = oi.order_id
JOIN products AS p ON p.product_id = oi.product_id
WHERE o.status NOT IN ('cancelled', 'returned')
GROUP BY p.product_id, p.name, p.category
ORDER BY units_sold DESC
LIMIT 10;
